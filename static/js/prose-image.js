// Library pictures in the story body's editor. A body stores one as
//   <figure data-image="ID"></figure>
// (articles/body_images.py): the picture, its caption and credit are the image library's.
// Without a node for it the editor would drop it on the next save; this one keeps it as a
// single block, shown as a labelled box with a small preview and the caption, that can be
// moved or deleted but not typed into. The server keeps it only for a numeric ID.
// A menu button inserts one by the picture's number in the library (its address in the
// admin's image list: /admin/articles/image/ID/change/).
import { Node } from "django-prose-editor/editor"

// The admin's address for a picture's preview (articles/admin/images.py, body_picture), from
// wherever the editor is (a story's add or change form, a live update's).
function previewUrl(id) {
  const [admin] = window.location.pathname.split("/articles/")
  return `${admin}/articles/image/body-picture/${id}/`
}

// The number a writer typed, or an Error saying why it names no picture.
export function pictureId(answer) {
  const id = (answer || "").trim().replace(/^#/, "")
  if (!/^[0-9]+$/.test(id)) {
    return new Error("A picture is named by its number in the image library, such as 42.")
  }
  return String(Number(id))
}

function insertPicture(editor) {
  const answer = window.prompt("Number of the picture in the image library (e.g. 42)")
  if (!answer) return
  const id = pictureId(answer)
  if (id instanceof Error) {
    window.alert(id.message)
    return
  }
  editor.chain().focus().insertContent({ type: "libraryImage", attrs: { id } }).run()
}

// Fill the box with the picture's thumbnail and caption, or say it is not in the library.
async function describe(dom, id) {
  const caption = dom.querySelector(".prose-image__caption")
  try {
    const response = await fetch(previewUrl(id), { credentials: "same-origin" })
    if (!response.ok) {
      caption.textContent = "Not in the image library: readers see nothing here."
      dom.classList.add("prose-image--missing")
      return
    }
    const picture = await response.json()
    const thumb = document.createElement("img")
    thumb.src = picture.src
    thumb.alt = ""
    thumb.width = picture.thumb_width
    thumb.height = picture.thumb_height
    dom.insertBefore(thumb, caption)
    caption.textContent =
      [picture.caption, picture.credit && `(${picture.credit})`].filter(Boolean).join(" ") ||
      "No caption."
  } catch {
    caption.textContent = "The preview could not be loaded."
  }
}

export const LibraryImage = Node.create({
  name: "libraryImage",
  group: "block",
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    return {
      id: {
        default: "",
        parseHTML: (element) => element.getAttribute("data-image") || "",
        renderHTML: (attributes) => ({ "data-image": attributes.id }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]  // the stored form: nothing inside
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "libraryImage",
      groups: "nodes",
      button: buttons.material("image", "insert picture"),
      command: (editor) => insertPicture(editor),
    })
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("figure")
      dom.className = "prose-image"
      dom.setAttribute("data-image", node.attrs.id)
      const kind = document.createElement("strong")
      kind.textContent = `Picture ${node.attrs.id}`
      const caption = document.createElement("span")
      caption.className = "prose-image__caption"
      caption.textContent = "Loading the preview…"
      dom.append(kind, caption)
      describe(dom, node.attrs.id)
      return { dom }
    }
  },
})
