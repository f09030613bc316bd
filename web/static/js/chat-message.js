// When a message was sent, in the viewer's time zone (the page's), as the server shows it.
function timeOf(iso, timeZone) {
  const when = new Date(iso);
  const lang = document.documentElement.lang || undefined;
  const time = document.createElement("time");
  time.className = "chat-time";
  time.dateTime = iso;
  time.textContent = new Intl.DateTimeFormat(lang, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
  }).format(when);
  time.title = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short", timeZone })
    .format(when);
  return time;
}

// One chat message as a list item: the body is always text, never HTML.
export function renderMessage(m, strings, mineClass, theirsClass) {
  const li = document.createElement("li");
  li.className = `chat-message ${m.from_staff ? mineClass : theirsClass}`;
  li.dataset.messageId = m.id;
  const sender = document.createElement("span");
  sender.className = "chat-sender";
  sender.textContent = `${m.sender} `;
  if (m.at) sender.append(timeOf(m.at, strings.timeZone));
  const body = document.createElement("span");
  body.className = "chat-body";
  if (m.removed) {
    const em = document.createElement("em");
    em.textContent = strings.removed;
    body.append(em);
  } else {
    body.textContent = m.body;
  }
  li.append(sender, body);
  return li;
}

// Add a message to a log, replacing an earlier copy of it (acks and events both bring it).
export function showMessage(log, li) {
  const existing = log.querySelector(`[data-message-id="${li.dataset.messageId}"]`);
  if (existing) existing.replaceWith(li); else log.append(li);
  log.scrollTop = log.scrollHeight;
}

// Enter sends, Shift+Enter makes a new line.
export function sendOnEnter(form) {
  form.querySelector("textarea").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
}
