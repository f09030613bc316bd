// The page's translated strings (a JSON data block, never executed), with {name} placeholders.
export function loadStrings(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : {};
}

// A string with its {placeholders} (or Python's %(name)s) replaced by the given values.
export function fill(text, values = {}) {
  return String(text ?? "").replace(/\{(\w+)\}|%\((\w+)\)s/g, (whole, brace, percent) => {
    const key = brace || percent;
    return key in values ? String(values[key]) : whole;
  });
}

// A time of day in the page's language and the browser's own time zone.
export function clockTime(when) {
  const lang = document.documentElement.lang || undefined;
  return new Date(when).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

// A duration as m:ss, or h:mm:ss past an hour.
export function duration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// Say something to screen readers through a live region (cleared first so repeats are read).
export function announce(region, text) {
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}
