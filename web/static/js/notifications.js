// Meeting notifications: joins the fair's live channel and shows each notice as a toast.
const box = document.querySelector("[data-notifications]");

if (box && window.io) {
  const socket = window.io("/fair", { transports: ["websocket"] });
  socket.on("connect", () => socket.emit("join", { fair: box.dataset.notifications }));
  socket.on("notification", (notice) => {
    if (notice.fair !== box.dataset.notifications || !notice.text) return;
    const toast = document.createElement("p");
    toast.className = "toast";
    toast.textContent = notice.text;
    box.append(toast);
    setTimeout(() => toast.remove(), 12000);
  });
}
