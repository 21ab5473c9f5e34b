"""What a phone and a screen reader would trip over: axe-core's findings and anything wider than the viewport.

axe-core comes from the pinned PyPI package axe-playwright-python (it ships axe.min.js), so the
audit needs no network and no third-party code in this repository.
"""

from importlib.resources import files

AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
  }));
}
"""

# An element sticks out when what shows of it (its box, cut by every ancestor that clips or
# scrolls its overflow) reaches past the viewport's right edge.
FIND_WIDE_ELEMENTS = """
() => {
  const edge = document.documentElement.clientWidth;
  const clips = (element) => getComputedStyle(element).overflowX !== "visible";
  function describe(element) {
    const id = element.id ? "#" + element.id : "";
    const classes = [...element.classList].map((name) => "." + name).join("");
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return element.tagName.toLowerCase() + id + classes + (text ? ` "${text}"` : "");
  }
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    let right = box.right;
    for (let ancestor = element.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
      if (clips(ancestor)) right = Math.min(right, ancestor.getBoundingClientRect().right);
    }
    if (right > edge + 0.5) wide.push(`${describe(element)} reaches ${Math.round(right)}px`);
  }
  return wide;
}
"""


def axe_violations(page) -> list[str]:
    """Run axe-core on the page; return one line per element with a serious or critical violation."""
    # page.evaluate runs over the DevTools protocol, so our CSP (no inline scripts) does not
    # block it, where page.add_script_tag(content=...) would be refused.
    page.evaluate(AXE_SOURCE)
    found = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            found.append(f"{violation['id']} ({violation['impact']}) at {node['target']}: {summary}")
    return found


def wider_than_the_viewport(page) -> list[str]:
    """Return what reaches past the viewport's right edge: the page itself, then each element."""
    width = page.evaluate("window.innerWidth")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    found = [f"the page is {page_width}px wide"] if page_width > width else []
    return found + page.evaluate(FIND_WIDE_ELEMENTS)
