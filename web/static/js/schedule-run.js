// The optimiser's progress: counts the seconds, and reloads the page when the run ends
// (told over the fair's live channel; a slow poll covers a lost connection).
const box = document.querySelector("[data-schedule-run]");

if (box) {
  const limit = Number(box.dataset.limit);
  const started = Date.now() - Number(box.dataset.elapsed) * 1000;
  const text = box.querySelector("[data-elapsed-text]");
  const bar = box.querySelector("progress");
  let reloading = false;
  const reload = () => {
    if (!reloading) {
      reloading = true;
      window.location.reload();
    }
  };
  setInterval(() => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    text.textContent = text.dataset.pattern.replace("{n}", String(seconds));
    bar.value = Math.min(seconds, limit);
    if (seconds > limit + 3 && (seconds - limit) % 3 === 0) reload();
  }, 1000);
  if (window.io) {
    const socket = window.io("/fair", { transports: ["websocket"] });
    socket.on("notification", (notice) => {
      if (notice.kind === "schedule_run" && notice.fair === box.dataset.fair) reload();
    });
  }
}
