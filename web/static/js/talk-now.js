// Talk now, the visitor's side: the booth page's button follows the staff's presence, and the
// call page rings the booth's online staff, waits, and goes to the room when someone answers.

// Whether any staff member listed on the page is present (presence.js keeps data-status live).
const staffPresent = () =>
  [...document.querySelectorAll("[data-presence-user]")].some((el) => el.dataset.status !== "offline");

// Run `react` now and whenever presence.js changes a staff member's status.
function followPresence(react) {
  react(staffPresent());
  const observer = new MutationObserver(() => react(staffPresent()));
  document.querySelectorAll("[data-presence-user]").forEach((el) =>
    observer.observe(el, { attributes: true, attributeFilter: ["data-status"] }));
}

const link = document.querySelector("[data-talk-now-link]");
if (link) followPresence((present) => { link.hidden = !present; });

const card = document.querySelector("[data-talk-now]");
const strings = document.getElementById("call-strings")?.dataset;

if (card && strings && window.io) {
  const booth = Number(card.dataset.talkNow);
  const state = card.querySelector("[data-call-state]");
  const status = card.querySelector("[data-call-status]");
  const detail = card.querySelector("[data-call-detail]");
  const start = card.querySelector("[data-call-start]");
  const hangUp = card.querySelector("[data-call-cancel]");
  const offers = card.querySelector("[data-call-offers]");
  const socket = window.io("/calls", { transports: ["websocket"] });
  let call = null;
  let autoRing = Number(card.dataset.present) > 0;

  const show = (name, text, more = "") => {
    state.dataset.callState = name;
    status.textContent = text;
    detail.textContent = more;
    const ringing = name === "ringing";
    hangUp.hidden = !ringing;
    start.hidden = ringing || name === "accepted" || !staffPresent();
    start.textContent = name === "ended" ? strings.again : strings.start;
    offers.hidden = !["ended", "idle"].includes(name) || (name === "idle" && staffPresent());
  };

  const roomUrl = (fair, room) => (card.dataset.roomUrl || "")
    .replace("FAIR", encodeURIComponent(fair)).replace("ROOM", encodeURIComponent(room));

  const ring = () => {
    show("ringing", strings.ringing);
    start.hidden = true;
    socket.emit("ring", { booth }, (reply) => {
      if (!reply || !reply.ok) {
        call = null;
        show("ended", (reply && reply.message) || strings.failed);
        return;
      }
      call = reply.call;
      const rung = reply.rung === 1 ? strings.rungOne : strings.rungMany.replace("{n}", reply.rung);
      show("ringing", strings.ringing, rung);
      hangUp.focus();
    });
  };

  const settle = (message) => {
    if (message.booth !== booth || (call && message.call !== call)) return;
    call = null;
    if (message.status === "accepted") {
      show("accepted", strings.accepted.replace("{name}", message.by));
      window.location.assign(roomUrl(message.fair, message.room));
    } else {
      show("ended", strings[message.status] || strings.failed);
      start.focus();
    }
  };
  socket.on("connect", () => {
    if (autoRing) { autoRing = false; ring(); return; }
    // back after a network drop: the call may have been answered or ended meanwhile
    if (call) socket.emit("status", { call }, (reply) => {
      if (reply && reply.ok && reply.status !== "ringing") settle(reply);
      else if (reply && reply.ok) detail.textContent = "";
    });
  });
  socket.on("disconnect", () => { if (call) detail.textContent = strings.lost; });
  socket.on("call", settle);

  start.addEventListener("click", ring);
  hangUp.addEventListener("click", () => {
    if (!call) return;
    const ending = call;
    socket.emit("cancel", { call: ending }, () => {
      if (call === ending || call === null) { call = null; show("ended", strings.cancelled); start.focus(); }
    });
  });
  // leaving the page hangs up: nobody should answer a caller who is gone
  window.addEventListener("pagehide", () => { if (call) socket.emit("cancel", { call }); });
  followPresence((present) => {
    if (state.dataset.callState === "ringing" || state.dataset.callState === "accepted") return;
    start.hidden = !present;
    if (state.dataset.callState === "idle") {
      status.textContent = present ? strings.ready : strings.nobody;
      offers.hidden = present;
    }
  });
}
