// Meeting notifications: joins the fair's live channel and shows each notice as a toast.
// A notice about a video meeting carries its room: the toast then links to it ("Join").
const box = document.querySelector("[data-notifications]");

if (box && window.io) {
  const socket = window.io("/fair", { transports: ["websocket"] });
  socket.on("connect", () => socket.emit("join", { fair: box.dataset.notifications }));
  socket.on("notification", (notice) => {
    if (notice.fair !== box.dataset.notifications || !notice.text) return;
    const toast = document.createElement("p");
    toast.className = "toast";
    toast.textContent = notice.text;
    const template = box.dataset.roomUrl;
    if (notice.room && template) {
      const join = document.createElement("a");
      join.href = template.replace("ROOM", encodeURIComponent(notice.room));
      join.textContent = box.dataset.joinLabel || "Join";
      toast.append(" ", join);
    }
    box.append(toast);
    setTimeout(() => toast.remove(), notice.room ? 60000 : 12000);
  });
}
