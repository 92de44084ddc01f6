/**
 * Translates the Java regular expressions of botocore's model into JavaScript ones that match the
 * whole value, as the service does. Only the Java-isms that occur in the SageMaker model are handled;
 * the unit tests compile every pattern of the model to keep it that way.
 */
// Java allows escaping any punctuation; unicode-mode JavaScript only syntax characters (and `-` in a class).
const jsSyntax = '^$\\.*+?()[]{}|/';

function translateEscape(c: string, inClass: boolean): string {
  if (/[a-zA-Z0-9]/.test(c) || jsSyntax.includes(c) || (c === '-' && inClass)) return `\\${c}`;
  return c;
}

export function fromJavaPattern(pattern: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const escape = pattern.slice(i, i + 2);
      if (pattern.startsWith('\\p{Alnum}', i)) {
        out += inClass ? '0-9A-Za-z' : '[0-9A-Za-z]';
        i += '\\p{Alnum}'.length - 1;
        continue;
      }
      out += translateEscape(escape.charAt(1), inClass);
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    // Java accepts a quantifier after `$` (it repeats an empty match); it means nothing.
    const quantified = /^\$\{\d+(,\d*)?\}/.exec(pattern.slice(i));
    if (!inClass && quantified) {
      out += '$';
      i += quantified[0].length - 1;
      continue;
    }
    out += c;
  }
  return new RegExp(`^(?:${out})$`, 'u');
}
