// The inbox's few live parts, in plain JS: upload registers (picker or drag and drop), show
// each file's findings as the server reports them, refresh the department's months; copy
// the 催报 list. Text from the server is set with textContent, never as HTML.
"use strict";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

const STATUS_CLASS = { "校验通过": "ok", "退回修改": "bad", "无法读取": "bad" };

function showReport(card, report) {
  card.className = "result " + (STATUS_CLASS[report.status] || "bad");
  const head = card.querySelector("header");
  head.querySelector(".state").textContent = report.status;
  const facts = [];
  if (report.department) facts.push(report.department);
  if (report.period) facts.push(report.period);
  if (report.kind) facts.push(report.kind);
  facts.push("错误 " + report.errors + " 个，警告 " + report.warnings + " 个");
  if (report.score && report.score.total !== null) facts.push("本表科室得分 " + report.score.total.toFixed(2));
  head.appendChild(el("span", "muted", facts.join(" · ")));
  const findings = report.findings.slice().sort(
    (a, b) => (a.level === "错误" ? 0 : 1) - (b.level === "错误" ? 0 : 1));
  if (!findings.length) {
    card.appendChild(el("p", "muted", "没有发现问题。"));
    return;
  }
  const table = el("table", "findings");
  const headRow = el("tr");
  for (const h of ["级别", "位置", "说明"]) headRow.appendChild(el("th", "", h));
  table.appendChild(el("thead")).appendChild(headRow);
  const body = el("tbody");
  for (const f of findings) {
    const tr = el("tr");
    tr.appendChild(el("td", "level-" + f.level, f.level));
    const place = f.cell ? f.sheet + "!" + f.cell : (f.sheet || "整个文件");
    tr.appendChild(el("td", "where", place));
    tr.appendChild(el("td", "", f.message));
    body.appendChild(tr);
  }
  table.appendChild(body);
  card.appendChild(table);
}

async function uploadOne(file, results) {
  const card = el("div", "result wait");
  const head = el("header");
  head.appendChild(el("span", "file", file.name));
  head.appendChild(el("span", "badge state", "正在校验…"));
  card.appendChild(head);
  results.prepend(card);
  const form = new FormData();
  form.append("file", file, file.name);
  let response, data;
  try {
    response = await fetch("/api/registers", {
      method: "POST", body: form, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" });
    data = await response.json();
  } catch (err) {
    card.className = "result bad";
    head.querySelector(".state").textContent = "上传失败";
    card.appendChild(el("p", "warn", "网络中断或服务器无响应，请稍后重新上传。"));
    return;
  }
  if (response.status === 201) {
    showReport(card, data);
  } else {
    card.className = "result bad";
    head.querySelector(".state").textContent = "未接收";
    card.appendChild(el("p", "warn", data.error || "上传失败"));
  }
}

async function refreshPeriods() {
  const response = await fetch("/department/periods", { credentials: "same-origin" });
  if (response.ok) {
    document.getElementById("periods").innerHTML = await response.text();
  }
}

async function uploadAll(files) {
  const results = document.getElementById("results");
  for (const file of files) await uploadOne(file, results);
  await refreshPeriods();
}

function setUpUpload() {
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  if (!drop || !input) return;
  input.addEventListener("change", () => { uploadAll(Array.from(input.files)); input.value = ""; });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.remove("over"); });
  }
  drop.addEventListener("drop", (event) => uploadAll(Array.from(event.dataTransfer.files)));
}

function setUpCopy() {
  const button = document.getElementById("copy");
  if (!button) return;
  const list = document.getElementById(button.dataset.target);
  list.style.height = (list.scrollHeight + 4) + "px";  // every line shows, wrapped or not
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.target);
    text.select();
    let done = false;
    try { await navigator.clipboard.writeText(text.value); done = true; } catch (err) {
      done = document.execCommand("copy");
    }
    document.getElementById("copied").textContent = done ? "已复制，可粘贴到工作群或短信中" : "请按 Ctrl+C 复制";
  });
}

document.addEventListener("DOMContentLoaded", () => { setUpUpload(); setUpCopy(); });
