// One chat message as a list item: the body is always text, never HTML.
export function renderMessage(m, strings, mineClass, theirsClass) {
  const li = document.createElement("li");
  li.className = `chat-message ${m.from_staff ? mineClass : theirsClass}`;
  li.dataset.messageId = m.id;
  const sender = document.createElement("span");
  sender.className = "chat-sender";
  sender.textContent = m.sender;
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
