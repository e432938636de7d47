// Embeds in the story body's editor. A body stores an embed as
//   <figure data-embed="URL"><a href="URL">YouTube embed: URL</a></figure>
// (articles/embeds.py). Without a node for it the editor would drop it on the next save; this
// one keeps it as a single block, shown as a labelled box that can be moved or deleted but not
// typed into. The server re-makes the stored form and checks the address on every save.
// A menu button inserts one by address; the sites allowed come from articles/embeds.py
// (rich_text.BODY_EXTENSIONS), and an address from any other is refused, naming the site.
import { Node } from "django-prose-editor/editor"

const host = (url) =>
  url.hostname.toLowerCase().replace(/^(www\.|m\.|mobile\.)/, "")

// The label for an address, or an Error saying why it cannot be embedded.
export function embedLabel(address, providers) {
  let url
  try {
    url = new URL(address.trim())
  } catch {
    return new Error("That is not a web address. Paste the post's or the video's address.")
  }
  if (url.protocol !== "https:") {
    return new Error("An embed's address must start with https://.")
  }
  const provider = providers[host(url)]
  if (!provider) {
    const allowed = [...new Set(Object.values(providers))].sort().join(", ")
    return new Error(`Embeds from ${host(url)} are not allowed. Allowed sites: ${allowed}.`)
  }
  return `${provider} embed: ${url.href}`
}

function insertEmbed(editor, providers) {
  const address = window.prompt("Address of the video or post to embed (https://…)")
  if (!address) return
  const label = embedLabel(address, providers)
  if (label instanceof Error) {
    window.alert(label.message)
    return
  }
  const url = new URL(address.trim()).href
  editor.chain().focus().insertContent({ type: "embed", attrs: { url, label } }).run()
}

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  selectable: true,
  draggable: true,

  addOptions() {
    return { providers: {} }
  },

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

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      button: buttons.material("smart_display", "insert embed"),
      command: (editor) => insertEmbed(editor, this.options.providers),
    })
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
