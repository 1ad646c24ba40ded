// @vitest-environment happy-dom
// An imported canvas document is shown as a document: its title once, whether or not its Markdown
// opens with that title as a heading (ChatGPT's canvas documents usually do).
import { describe, expect, it } from 'vitest';
import { startsWithTitle } from '../../src/components/ImportedParts';

describe('imported documents', () => {
  it('a body that opens with the title as a heading gets no second title', () => {
    expect(startsWithTitle({ title: 'Rain', text: '# Rain\n\nSoft rain.' })).toBe(true);
    expect(startsWithTitle({ title: 'Rain', text: '  ## rain ##\nSoft rain.' })).toBe(true);
  });
  it('a body without it, or with another heading, keeps the title', () => {
    expect(startsWithTitle({ title: 'Rain', text: 'Soft rain.' })).toBe(false);
    expect(startsWithTitle({ title: 'Rain', text: '# Rainfall\n\nSoft rain.' })).toBe(false);
    expect(startsWithTitle({ title: 'Rain', text: 'Intro\n# Rain' })).toBe(false);
  });
});
