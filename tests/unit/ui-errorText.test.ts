import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/db';
import { engineErrorDetail, errorText, isQuotaError } from '../../src/lib/errorText';

describe('errorText', () => {
  it('puts engine errors into one clear sentence without repeating itself', () => {
    expect(engineErrorDetail({ code: 'model-corrupt', message: 'The model files are damaged or not a model: Unexpected token <', retryable: false })).toBe(
      'The model files are damaged or not a valid model. (Unexpected token <)',
    );
    expect(engineErrorDetail({ code: 'model-not-found', message: 'The model "x" could not be found (config.json is missing).', retryable: true })).toBe(
      'The model "x" could not be found (config.json is missing).',
    );
    expect(engineErrorDetail({ code: 'worker-crashed', message: '', retryable: true })).toBe('The model stopped unexpectedly.');
  });

  it('never shows [object Object]', () => {
    expect(errorText({})).toBe('Something went wrong.');
    expect(errorText({ code: 'weird' })).toBe('Something went wrong.');
    expect(errorText(new Error(String({})))).not.toContain('[object Object]');
    expect(errorText(String({}))).not.toContain('[object Object]');
    expect(errorText(undefined)).toBe('Something went wrong.');
    expect(errorText({ code: 'busy', message: 'x', retryable: true })).toContain('busy');
  });

  it('explains storage errors, quota in particular', () => {
    const quota = new StorageError('quota', 'The browser has no more storage space for Hearth.', true);
    expect(isQuotaError(quota)).toBe(true);
    expect(errorText(quota)).toMatch(/storage space.*Nothing already saved was lost/);
    expect(errorText(new StorageError('not-found', 'That conversation no longer exists.', false))).toBe('That conversation no longer exists.');
  });
});
