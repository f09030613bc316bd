// Live presence on a fair page: joins the fair's channel and shows how many people are online.
const badge = document.querySelector("[data-live-fair]");
const strings = document.getElementById("live-strings");

if (badge && strings && window.io) {
  const count = badge.querySelector("[data-live-count]");
  const show = (n) => {
    badge.hidden = false;
    count.textContent = n === 1 ? strings.dataset.one : strings.dataset.many.replace("{n}", n);
  };
  const socket = window.io("/fair", { transports: ["websocket"] });
  socket.on("connect", () => {
    socket.emit("join", { fair: badge.dataset.liveFair }, (reply) => {
      if (reply && reply.ok) show(reply.online);
    });
  });
  socket.on("presence", (message) => show(message.online));
  socket.on("disconnect", () => { badge.hidden = true; });
}
