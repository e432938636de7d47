// "Clear formatting" for the story body's editor: bold and italic off, the block back to a
// paragraph (headings, quotes and lists included); links stay. Ctrl/Cmd+\ or the menu button.
import { Extension } from "django-prose-editor/editor"

const clear = (editor) =>
  editor.chain().focus().unsetMark("bold").unsetMark("italic").clearNodes().run()

export const ClearFormatting = Extension.create({
  name: "clearFormatting",
  addKeyboardShortcuts() {
    return { "Mod-\\": () => clear(this.editor) }
  },
  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "clearFormatting",
      groups: "marks",
      button: buttons.material("format_clear", "clear formatting"),
      command: clear,
    })
  },
})
