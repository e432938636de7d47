// Embeds in the story body's editor. A body stores an embed as
//   <figure data-embed="URL"><a href="URL">YouTube embed: URL</a></figure>
// (articles/embeds.py). Without a node for it the editor would drop it on the next save; this
// one keeps it as a single block, shown as a labelled box that can be moved or deleted but not
// typed into. The server re-makes the stored form and checks the address on every save.
import { Node } from "django-prose-editor/editor"

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    return {
      url: {
        default: "",
        parseHTML: (element) => element.getAttribute("data-embed") || "",
        renderHTML: (attributes) => ({ "data-embed": attributes.url }),
      },
      label: {
        default: "",
        parseHTML: (element) => element.textContent.trim(),
        renderHTML: () => ({}),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-embed]" }]
  },

  renderHTML({ node, HTMLAttributes }) {
    const label = node.attrs.label || `Embed: ${node.attrs.url}`
    return ["figure", HTMLAttributes, ["a", { href: node.attrs.url }, label]]
  },

  addNodeView() {
    // In the editor: a box with the label, not a link (a click selects it, never leaves).
    return ({ node }) => {
      const dom = document.createElement("figure")
      dom.className = "prose-embed"
      dom.setAttribute("data-embed", node.attrs.url)
      // "YouTube embed: URL": the kind on one line, the address under it.
      const label = node.attrs.label || `Embed: ${node.attrs.url}`
      const split = label.indexOf(": ")
      const kind = document.createElement("strong")
      kind.textContent = split > 0 ? label.slice(0, split + 1) : label
      const address = document.createElement("span")
      address.className = "prose-embed__url"
      address.textContent = split > 0 ? ` ${label.slice(split + 2)}` : ""
      dom.append(kind, address)
      return { dom }
    }
  },
})
