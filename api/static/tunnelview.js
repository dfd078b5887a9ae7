// Tunnelview's small enhancements. Every page works without this file: forms post and redirect.
// No inline script anywhere (the Content-Security-Policy forbids it).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}

// Filters that apply as soon as they change (the Apply button stays for keyboard and no-JS use).
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  for (const field of form.querySelectorAll("select")) {
    field.addEventListener("change", () => form.requestSubmit());
  }
}

// Criteria check: the recommended route and its reasons, updated as the answers change.
for (const form of document.querySelectorAll("form[data-criteria-preview]")) {
  const target = document.getElementById("recommendation");
  let latest = 0; // answers to an earlier change may arrive after a later one's: show only the latest
  const refresh = async () => {
    const asked = ++latest;
    const answers = new URLSearchParams();
    for (const input of form.querySelectorAll("input[type=radio]:checked")) {
      answers.append(input.name, input.value);
    }
    const response = await fetch(`${form.dataset.criteriaPreview}?${answers}`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    const html = response.ok ? await response.text() : null;
    if (html !== null && target && asked === latest) target.innerHTML = html;
  };
  form.addEventListener("change", refresh);
}

// Quality warnings beside the text of a finding, updated as the author pauses typing.
for (const form of document.querySelectorAll("form[data-quality-check]")) {
  const target = document.getElementById("quality-warnings");
  const token = form.querySelector("input[name=csrf_token]")?.value ?? "";
  let timer;
  let latest = 0;
  const check = async () => {
    const asked = ++latest;
    const body = new URLSearchParams();
    for (const field of form.querySelectorAll("[data-checked-text]")) {
      body.append(field.name, field.value);
    }
    const response = await fetch(form.dataset.qualityCheck, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    const html = response.ok ? await response.text() : null;
    if (html !== null && target && asked === latest) target.innerHTML = html;
  };
  form.addEventListener("input", (event) => {
    if (!event.target.matches("[data-checked-text]")) return;
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
}

// Contributory factors: choosing another framework reloads its levels and categories.
for (const select of document.querySelectorAll("select[data-autoload]")) {
  select.addEventListener("change", () => select.form?.requestSubmit());
}

// Long renders: a PDF of a large review takes seconds to make (docs/performance.md). A link marked
// `data-long-render` (its value says what it makes) shows the time so far while the document is made,
// then saves it; without this script the link downloads it as any link does.
const seconds = (since) => Math.round((Date.now() - since) / 1000);
const savedName = (response) =>
  /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "document";

function renderStatus(link) {
  let status = link.parentElement.querySelector(":scope > .tv-render-status");
  if (!status) {
    status = document.createElement("span");
    status.className = "tv-render-status govuk-body-s";
    status.setAttribute("role", "status");
    link.after(status);
  }
  return status;
}

for (const link of document.querySelectorAll("a[data-long-render]")) {
  link.addEventListener("click", async (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.dataset.busy) return;
    const what = link.dataset.longRender;
    const status = renderStatus(link);
    const since = Date.now();
    const tick = () => {
      status.textContent = ` Making ${what}: ${seconds(since)} seconds so far (a large review can take a minute).`;
    };
    link.dataset.busy = "yes";
    link.setAttribute("aria-disabled", "true");
    tick();
    const timer = setInterval(tick, 5000); // a screen reader hears each change: not every second
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const save = Object.assign(document.createElement("a"), { href: url, download: savedName(response) });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = ` Ready after ${seconds(since)} seconds: ${save.download} is downloaded.`;
    } catch (error) {
      status.textContent = ` Could not make ${what} (${error.message}). Try the link again.`;
    } finally {
      clearInterval(timer);
      delete link.dataset.busy;
      link.removeAttribute("aria-disabled");
    }
  });
}
