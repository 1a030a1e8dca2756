/** The Python side could not be used at all (interpreter missing, helper crashed): exit code 3. */
export class PythonEnvironmentError extends Error {
  override readonly name = 'PythonEnvironmentError';
}

/** A method returned an error response (e.g. the user's models failed to import). */
export class HelperMethodError extends Error {
  override readonly name = 'HelperMethodError';
  constructor(
    readonly type: string,
    message: string,
    readonly traceback: string | null,
  ) {
    super(message);
  }
}
