// Renders /openapi.json as a readable page. Everything from the document is
// inserted as text (textContent), never as HTML.
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};

let doc;
const refName = (ref) => ref.split("/").pop();
const resolve = (s) => (s && s.$ref ? doc.components.schemas[refName(s.$ref)] || {} : s || {});

// schemaText prints a schema as a compact TypeScript-like shape.
function schemaText(s, depth = 0, seen = new Set()) {
  if (!s) return "any";
  if (s.$ref) {
    const name = refName(s.$ref);
    if (seen.has(name) || depth > 3) return name;
    return schemaText(resolve(s), depth, new Set([...seen, name]));
  }
  const pad = "  ".repeat(depth + 1);
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== "null").join(" | ") : s.type;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (type === "array") return schemaText(s.items, depth, seen) + "[]";
  if (type === "object" || s.properties) {
    const req = new Set(s.required || []);
    const lines = Object.entries(s.properties || {}).map(([k, v]) => {
      const doc = v.description ? "  // " + v.description.split("\n")[0] : "";
      return pad + k + (req.has(k) ? "" : "?") + ": " + schemaText(v, depth + 1, seen) + doc;
    });
    if (!lines.length) return s.additionalProperties ? "{ [key: string]: " + schemaText(s.additionalProperties, depth, seen) + " }" : "object";
    return "{\n" + lines.join("\n") + "\n" + "  ".repeat(depth) + "}";
  }
  return (type || "any") + (s.format ? " (" + s.format + ")" : "");
}

function operation(path, method, op) {
  const id = op.operationId || method + path;
  const sec = el("section", { class: "op", id });
  sec.append(el("h3", {}, el("span", { class: "method " + method.toUpperCase() }, method.toUpperCase()), el("code", {}, path)));
  if (op.summary) sec.append(el("p", {}, el("strong", {}, op.summary)));
  if (op.description) sec.append(el("p", {}, op.description));
  if (op.security && op.security.length) sec.append(el("p", { class: "muted" }, "Needs a bearer access token."));
  const params = op.parameters || [];
  if (params.length) {
    const t = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "type"), el("th", {}, "description")));
    for (const p of params) t.append(el("tr", {}, el("td", {}, el("code", {}, p.name + (p.required ? "" : "?"))), el("td", {}, p.in), el("td", {}, schemaText(p.schema)), el("td", {}, p.description || "")));
    sec.append(t);
  }
  const body = op.requestBody?.content && Object.entries(op.requestBody.content)[0];
  if (body) sec.append(el("p", {}, "Request body (", el("code", {}, body[0]), ")"), el("pre", { tabindex: "0" }, schemaText(body[1].schema)));
  for (const [status, r] of Object.entries(op.responses || {})) {
    const c = r.content && Object.entries(r.content)[0];
    sec.append(el("p", {}, el("strong", {}, status), " ", r.description || ""));
    if (c && c[1].schema && !String(status).startsWith("4") && !String(status).startsWith("5") && status !== "default") sec.append(el("pre", { tabindex: "0" }, schemaText(c[1].schema)));
  }
  return sec;
}

async function main() {
  const res = await fetch("/openapi.json");
  doc = await res.json();
  document.getElementById("title").textContent = doc.info.title + " " + (doc.info.version || "");
  document.getElementById("intro").textContent = doc.info.description || "";
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || path.split("/")[2] || "other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([path, method, op]);
    }
  }
  const toc = document.getElementById("toc");
  const ops = document.getElementById("ops");
  ops.replaceChildren();
  for (const [tag, list] of [...groups].sort()) {
    const ul = el("ul");
    ops.append(el("h2", {}, tag));
    for (const [path, method, op] of list) {
      const sec = operation(path, method, op);
      sec.dataset.search = (method + " " + path + " " + (op.summary || "")).toLowerCase();
      ops.append(sec);
      ul.append(el("li", {}, el("a", { href: "#" + sec.id }, method.toUpperCase() + " " + path)));
    }
    toc.append(el("h2", {}, tag), ul);
  }
  document.getElementById("filter").addEventListener("input", (e) => {
    const q = e.target.value.toLowerCase();
    for (const s of ops.querySelectorAll("section.op")) s.hidden = q !== "" && !s.dataset.search.includes(q);
  });
}

main().catch((err) => {
  document.getElementById("ops").replaceChildren(el("p", {}, "Could not load /openapi.json: " + err));
});
