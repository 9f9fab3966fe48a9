/* Moving a visit on the admins' calendar by drag and drop (the pages load it with
   macros/calendar_script.html; nothing inline, the CSP holds).

   In a table.grid[data-grid="admin"], a booked visit (td.grid-visit[data-status="booked"] holding its
   a.grid-visit-link) can be dragged onto an empty bookable time (td.grid-free[data-therapist][data-start]),
   which is highlighted while the visit is over it. The drop only proposes the move: it opens the visit's
   reschedule page, <visit link>/reschedule?therapist=<id>&start=<time>, whose one-step confirmation
   makes it (or which explains why that time is not open, with nearby ones).

   Nothing else changes: no cell is made focusable and no key does anything new. Without JavaScript, and
   with the keyboard alone, the same move is made from the visit's page ("Move this visit"), where the
   reschedule page offers the therapist and the times. Native HTML drag and drop, so a test drives it with
   Playwright's locator.drag_to(target). */
(function () {
  "use strict";

  var GRID = 'table.grid[data-grid="admin"]';
  var VISIT = 'td.grid-visit[data-status="booked"]';
  var FREE = "td.grid-free[data-therapist][data-start]";
  var DRAGGING = "grid-visit--dragging";
  var TARGET = "grid-free--target";

  var dragged = null; // the visit cell being dragged, while a drag of ours is under way

  /* The element matching the selector at or around an event's target (some browsers aim drag events at text). */
  function around(event, selector) {
    var node = event.target;
    var element = node && node.nodeType === Node.ELEMENT_NODE ? node : node && node.parentElement;
    return element ? element.closest(selector) : null;
  }

  /* The empty time under an event, in the grid where the drag began; null elsewhere or with no drag of ours. */
  function freeCell(event) {
    var cell = dragged ? around(event, FREE) : null;
    return cell && cell.closest(GRID) === dragged.closest(GRID) ? cell : null;
  }

  /* Where a drop of the dragged visit on this empty time leads: its reschedule page, that move proposed. */
  function moveUrl(visit, cell) {
    var url = new URL(visit.querySelector("a.grid-visit-link").href);
    url.pathname = url.pathname.replace(/\/$/, "") + "/reschedule";
    url.search = new URLSearchParams({therapist: cell.dataset.therapist, start: cell.dataset.start}).toString();
    return url.href;
  }

  function unmark(cell) {
    if (cell) {
      cell.classList.remove(TARGET);
    }
  }

  function onDragStart(event) {
    var visit = around(event, VISIT);
    if (!visit || !visit.closest(GRID) || !visit.querySelector("a.grid-visit-link")) {
      return;
    }
    dragged = visit;
    visit.classList.add(DRAGGING);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", visit.querySelector("a.grid-visit-link").href);
  }

  function onDragOver(event) {
    var cell = freeCell(event);
    if (cell) {
      event.preventDefault(); // a drop is allowed here
      event.dataTransfer.dropEffect = "move";
      cell.classList.add(TARGET);
    }
  }

  function onDragLeave(event) {
    var cell = freeCell(event);
    if (cell && !cell.contains(event.relatedTarget)) {
      unmark(cell);
    }
  }

  function onDrop(event) {
    var cell = freeCell(event);
    if (cell) {
      event.preventDefault();
      unmark(cell);
      window.location.assign(moveUrl(dragged, cell));
    }
  }

  function onDragEnd() {
    if (dragged) {
      dragged.classList.remove(DRAGGING);
      Array.prototype.forEach.call(document.querySelectorAll("." + TARGET), unmark);
    }
    dragged = null;
  }

  /* Let every booked visit of the admins' grid be dragged: on load, and after htmx swaps in another day. */
  function markDraggable() {
    Array.prototype.forEach.call(document.querySelectorAll(GRID + " " + VISIT), function (visit) {
      if (visit.querySelector("a.grid-visit-link")) {
        visit.draggable = true;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", markDraggable);
  document.addEventListener("htmx:afterSettle", markDraggable);
  document.addEventListener("dragstart", onDragStart);
  document.addEventListener("dragover", onDragOver);
  document.addEventListener("dragleave", onDragLeave);
  document.addEventListener("drop", onDrop);
  document.addEventListener("dragend", onDragEnd);
}());
