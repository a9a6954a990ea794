/**
 * Splits a stream of text into lines. The Deno standard library has this as `TextLineStream`,
 * but JSR (where @std/streams lives) is unreachable for us and no npm package does only this.
 *
 * @module
 */

/** Transforms a stream of text chunks into a stream of lines, without the line terminators. */
export class TextLineStream extends TransformStream<string, string> {
  constructor() {
    let buffer = "";
    super({
      transform(chunk, controller) {
        buffer += chunk;
        let newline = buffer.indexOf("\n");
        while (newline !== -1) {
          controller.enqueue(buffer.slice(0, newline).replace(/\r$/, ""));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
        }
      },
      flush(controller) {
        if (buffer !== "") controller.enqueue(buffer);
      },
    });
  }
}
