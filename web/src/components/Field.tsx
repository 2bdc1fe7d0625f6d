import { useId, type InputHTMLAttributes } from "react";

/** Field is a labelled input with its error announced to screen readers. */
export function Field({ label, error, hint, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={!!error} aria-describedby={error || hint ? `${id}-d` : undefined} {...input} />
      {(error || hint) && (
        <small id={`${id}-d`} className={error ? "error" : "hint"}>
          {error || hint}
        </small>
      )}
    </div>
  );
}
