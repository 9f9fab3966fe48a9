/* The booking pages with JavaScript: no "Show open times" button (htmx updates the times on each
   change), and the focus where the patient needs it: on the error summary after a form error, on the
   new day's times after choosing another day. Without JavaScript every page works as it is. */
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

  document.addEventListener("DOMContentLoaded", focusErrors);

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
}());
