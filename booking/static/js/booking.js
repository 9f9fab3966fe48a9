/* The booking pages with JavaScript: no "Show open times" button (htmx updates the times on each
   change), and the focus where the patient needs it: on the error summary after a form error, on the
   new day's times after choosing another day, on the message saying what an action did; the staff menu's set-up entry closes when left. Without
   JavaScript every page works as it is. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var movedToAnotherDay = false;

  function focusErrors() {
    var summary = document.getElementById("error-summary") || document.getElementById("picker-notice");
    if (summary) {
      summary.focus();
    }
    return Boolean(summary);
  }

  /* After an action (a page shown with a message saying what happened: checked in, moved, cancelled), the focus
     starts on that message, unless there are errors to fix first. */
  document.addEventListener("DOMContentLoaded", function () {
    var notice = document.getElementById("notice");
    if (!focusErrors() && notice) {
      notice.focus();
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    movedToAnotherDay = event.detail.elt.tagName === "A";
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusErrors() && movedToAnotherDay) {
      var heading = document.getElementById("day-heading");
      if (heading) {
        heading.focus();
      }
    }
  });

  /* The staff menu's "Clinic set-up" opens over the page: it closes again on Escape (the focus back on it), and when
     the focus or a click goes elsewhere. Without JavaScript its summary opens and closes it. */
  function closeMenuGroups(keep) {
    document.querySelectorAll(".nav-group details[open]").forEach(function (group) {
      if (!keep || !group.contains(keep)) {
        group.removeAttribute("open");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    var group = event.target.closest && event.target.closest(".nav-group details[open]");
    if (event.key === "Escape" && group) {
      closeMenuGroups(null);
      group.querySelector("summary").focus();
    }
  });
  document.addEventListener("focusout", function (event) {
    if (event.relatedTarget) {
      closeMenuGroups(event.relatedTarget);
    }
  });
  document.addEventListener("click", function (event) {
    closeMenuGroups(event.target);
  });
}());
