/* Apiary web UI: small progressive enhancements. Every page works without this file.
 *
 * - registers the service worker (/sw.js), which keeps the app shell and an offline page;
 * - shows the offline notice while the browser has no connection;
 * - on boards, moves cards by dragging or with the arrow keys, and takes transitions from a
 *   card's buttons without reloading: the same POST the buttons send, answered as JSON.
 */
(function () {
  "use strict";

  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {
        /* Without a worker the site works as before, only not offline. */
      });
    });
  }

  function showConnection() {
    var notice = document.querySelector("[data-offline-notice]");
    if (notice) {
      notice.hidden = navigator.onLine;
    }
  }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  document.addEventListener("DOMContentLoaded", showConnection);

  /* -- boards ------------------------------------------------------------------------------ */
  function setUpBoard(board) {
    var url = board.getAttribute("data-move");
    if (!url) {
      return;
    }
    var status = document.querySelector("[data-board-status]");
    var dragged = null;
    var busy = false;
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

    function say(text, bad) {
      status.textContent = "";
      var p = document.createElement("p");
      p.className = bad ? "alert" : "notice";
      p.textContent = text;
      status.appendChild(p);
    }

    function columnOf(card) {
      return card.closest(".column");
    }

    /* Header counts: the server's total, plus the cards moved in or out since. */
    board.querySelectorAll(".column").forEach(function (column) {
      var count = column.querySelector("[data-count]");
      count.setAttribute("data-total", count.textContent);
      count.setAttribute("data-shown", String(column.querySelectorAll(".card").length));
    });

    function recount() {
      board.querySelectorAll(".column").forEach(function (column) {
        var count = column.querySelector("[data-count]");
        var moved = column.querySelectorAll(".card").length
          - parseInt(count.getAttribute("data-shown"), 10);
        count.textContent = String(parseInt(count.getAttribute("data-total"), 10) + moved);
      });
    }

    function columnFor(value) {
      var found = null;
      board.querySelectorAll(".column").forEach(function (column) {
        if (column.getAttribute("data-value") === value) {
          found = column;
        }
      });
      return found;
    }

    /* Send a move; ``fields`` is {transition: name} or {to: column value}. */
    function move(card, fields, target) {
      if (busy) {
        return;
      }
      busy = true;
      var home = columnOf(card);
      var next = card.nextElementSibling;
      if (target && target !== home) {
        target.querySelector(".column-cards").prepend(card);
        recount();
      }
      card.setAttribute("aria-busy", "true");
      var data = new FormData();
      data.append("csrf", board.getAttribute("data-csrf"));
      data.append("id", card.getAttribute("data-id"));
      data.append("row_version", card.getAttribute("data-version"));
      Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
      fetch(url, {method: "POST", body: data, credentials: "same-origin",
                  headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().catch(function () {
            return {ok: false, message: response.status === 403
              ? "This board has expired. Reload the page and try again."
              : "The card could not be moved. Reload the page and try again."};
          });
        }, function () {
          return {ok: false, message: "You are offline, so the card was not moved."};
        })
        .then(function (answer) {
          busy = false;
          card.removeAttribute("aria-busy");
          if (!answer.ok) {
            home.querySelector(".column-cards").insertBefore(card, next);
            recount();
            say(answer.message, true);
            card.focus();
            return;
          }
          var holder = document.createElement("ul");
          holder.innerHTML = answer.card;
          var fresh = holder.firstElementChild;
          var column = columnFor(answer.value === null ? "" : String(answer.value));
          if (column) {
            column.querySelector(".column-cards").prepend(fresh);
            card.remove();
            recount();
            fresh.focus();
            say(answer.message, false);
          } else {
            card.remove();
            recount();
            say(answer.message + " It is no longer on this board.", false);
          }
        });
    }

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".card[draggable]");
      if (!card) {
        return;
      }
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
      card.classList.add("dragging");
    });
    board.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("dragging");
      }
      board.querySelectorAll(".drop").forEach(function (c) { c.classList.remove("drop"); });
      dragged = null;
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest && event.target.closest(".column");
      if (dragged && column) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        board.querySelectorAll(".drop").forEach(function (c) {
          if (c !== column) { c.classList.remove("drop"); }
        });
        column.classList.add("drop");
      }
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest && event.target.closest(".column");
      if (!dragged || !column) {
        return;
      }
      event.preventDefault();
      var card = dragged;
      column.classList.remove("drop");
      if (column !== columnOf(card)) {
        move(card, {to: column.getAttribute("data-value")}, column);
      }
    });

    board.addEventListener("keydown", function (event) {
      var card = event.target;
      if (!card.classList || !card.classList.contains("card") || event.altKey
          || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") {
        return;
      }
      event.preventDefault();
      var columns = Array.prototype.slice.call(board.querySelectorAll(".column"));
      var index = columns.indexOf(columnOf(card)) + (event.key === "ArrowRight" ? 1 : -1);
      if (index < 0 || index >= columns.length) {
        say("There is no column further " + (event.key === "ArrowRight" ? "right." : "left."),
            true);
        return;
      }
      move(card, {to: columns[index].getAttribute("data-value")}, columns[index]);
    });

    board.addEventListener("submit", function (event) {
      var form = event.target;
      var button = event.submitter;
      if (!form.classList.contains("moves") || !button || !button.value) {
        return;
      }
      event.preventDefault();
      var card = form.closest(".card");
      move(card, {transition: button.value}, columnFor(button.getAttribute("data-to")));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-board]").forEach(setUpBoard);
  });
}());
