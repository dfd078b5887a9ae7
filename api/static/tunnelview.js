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
