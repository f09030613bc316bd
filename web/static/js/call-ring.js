// Talk now, the staff's side: a visitor's call rings on every page of the call's fair that an
// online staff member has open (and on those opened while it rings);
// the first to accept goes to the room, the others see that a colleague took it.
const dialog = document.querySelector("[data-call-ring]");
const strings = document.getElementById("call-ring-strings")?.dataset;

if (dialog && strings && window.io) {
  const socket = window.io("/calls", { transports: ["websocket"] });
  const text = dialog.querySelector("[data-ring-text]");
  const note = dialog.querySelector("[data-ring-note]");
  const accept = dialog.querySelector("[data-ring-accept]");
  const decline = dialog.querySelector("[data-ring-decline]");
  const queue = [];  // rings waiting their turn, oldest first
  let current = null;
  let returnFocus = null;
  let closing = null;

  const roomUrl = (fair, room) => (dialog.dataset.roomUrl || "")
    .replace("FAIR", encodeURIComponent(fair)).replace("ROOM", encodeURIComponent(room));

  const showNext = () => {
    clearTimeout(closing);
    current = queue.shift() || null;
    if (!current) {
      dialog.hidden = true;
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
      returnFocus = null;
      return;
    }
    const who = current.firm ? strings.fromFirm.replace("{firm}", current.firm) : "";
    text.textContent = strings.wants.replace("{name}", current.visitor).replace("{from}", who);
    note.textContent = "";
    accept.disabled = decline.disabled = false;
    if (dialog.hidden) returnFocus = document.activeElement;
    dialog.hidden = false;
    accept.focus();
  };

  // the dialog says why it closes, then gives way to the next ring (or to the page)
  const closeWith = (message) => {
    note.textContent = message;
    accept.disabled = decline.disabled = true;
    closing = setTimeout(showNext, 4000);
  };

  socket.on("ring", (ring) => {
    // rung on every page of the user: only the pages of the call's fair show it
    if (String(ring.fair) !== dialog.dataset.fair) return;
    if (queue.some((r) => r.call === ring.call) || (current && current.call === ring.call)) return;
    queue.push(ring);
    if (!current) showNext();
  });
  socket.on("ring-over", (over) => {
    const waiting = queue.findIndex((ring) => ring.call === over.call);
    if (waiting >= 0) queue.splice(waiting, 1);
    if (!current || current.call !== over.call) return;
    if (over.reason === "answered" || over.reason === "declined") showNext();
    else closeWith(strings[over.reason] || strings.over);
  });

  accept.addEventListener("click", () => {
    if (!current) return;
    accept.disabled = decline.disabled = true;
    socket.emit("accept", { call: current.call }, (reply) => {
      if (reply && reply.ok) {
        note.textContent = strings.joining;
        window.location.assign(roomUrl(reply.fair, reply.room));
      } else {
        closeWith((reply && reply.message) || strings.over);
      }
    });
  });
  decline.addEventListener("click", () => {
    if (!current) return;
    socket.emit("decline", { call: current.call });
    showNext();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current && !decline.disabled) decline.click();
  });
}
