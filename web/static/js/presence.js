// Live presence for fair pages: joins the fair's channel, reports whether this tab is visible,
// and updates every presence mark on the page (people online, staff dots, booth cards).
const anchor = document.querySelector("[data-live-fair]");
const strings = document.getElementById("presence-strings")?.dataset;

if (anchor && strings && window.io) {
  const statuses = new Map();
  const socket = window.io("/fair", { transports: ["websocket"] });
  const plural = (n, one, many, none) =>
    n === 1 ? one : n === 0 && none ? none : many.replace("{n}", n);

  const showCount = (n) => {
    document.querySelectorAll("[data-live-count]").forEach((el) => {
      el.textContent = plural(n, strings.one, strings.many);
      el.closest("[data-live-box]")?.removeAttribute("hidden");
    });
  };

  const showUser = (user, status) => {
    statuses.set(user, status);
    document.querySelectorAll(`[data-presence-user="${user}"]`).forEach((el) => {
      el.dataset.status = status;
      const dot = el.querySelector(".presence-dot");
      if (dot) dot.className = `presence-dot is-${status}`;
      const label = el.querySelector(".presence-label");
      if (label) label.textContent = strings[status];
    });
    document.querySelectorAll("[data-booth-card]").forEach((card) => {
      const staff = (card.dataset.staff || "").split(",").filter(Boolean).map(Number);
      if (!staff.includes(user)) return;
      const online = staff.filter((id) => statuses.get(id) === "online").length;
      const line = card.querySelector("[data-online-count]");
      line.dataset.onlineCount = online;
      line.querySelector(".presence-dot").classList.toggle("is-online", online > 0);
      line.querySelector("[data-online-text]").textContent =
        plural(online, strings.oneStaff, strings.manyStaff, strings.noStaff);
    });
  };

  // what the page was rendered with is the starting point
  document.querySelectorAll("[data-presence-user]").forEach((el) => {
    statuses.set(Number(el.dataset.presenceUser), el.dataset.status);
  });
  document.querySelectorAll("[data-booth-card]").forEach((card) => {
    const staff = (card.dataset.staff || "").split(",").filter(Boolean).map(Number);
    const online = Number(card.querySelector("[data-online-count]").dataset.onlineCount);
    staff.forEach((id, i) => { if (!statuses.has(id)) statuses.set(id, i < online ? "online" : "offline"); });
  });

  const reportVisibility = () =>
    socket.emit("state", { state: document.hidden ? "away" : "online" });

  socket.on("connect", () => {
    socket.emit("join", { fair: anchor.dataset.liveFair }, (reply) => {
      if (!reply || !reply.ok) return;
      showCount(reply.online);
      // catch up with whoever came or went between the page's rendering and this join
      const present = reply.present || {};
      new Set([...statuses.keys(), ...Object.keys(present).map(Number)]).forEach((user) => {
        showUser(user, present[user] ?? "offline");
      });
      if (document.hidden) reportVisibility();
    });
  });
  socket.on("presence", (message) => {
    showCount(message.online);
    showUser(message.user, message.status);
  });
  document.addEventListener("visibilitychange", reportVisibility);
  window.fieraPresence = socket;  // for tests and other scripts on the page
}
