/**
 * Form fields: a visible label bound to its control, an optional hint, and
 * the API's message for the field when a save was refused.
 */
import { useId, type ReactNode } from 'react';

interface FieldFrame {
  readonly label: string;
  readonly hint?: string;
  readonly problem?: string | undefined;
}

function Frame({ id, label, hint, problem, children }: FieldFrame & { id: string; children: ReactNode }) {
  return (
    <div className={`field${problem ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problem && (
        <p className="field-problem" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, hint?: string, problem?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField({
  label,
  hint,
  problem,
  value,
  onChange,
  type = 'text',
  required,
  disabled,
  autoComplete,
  placeholder,
}: FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'url' | 'datetime-local';
  required?: boolean;
  disabled?: boolean;
  autoComplete?: string;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} problem={problem}>
      <input
        id={id}
        type={type}
        value={value}
        required={required}
        disabled={disabled}
        autoComplete={autoComplete}
        placeholder={placeholder}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, hint, problem)}
        onChange={(event) => onChange(event.target.value)}
      />
    </Frame>
  );
}

export function NumberField({
  label,
  hint,
  problem,
  value,
  onChange,
  min,
  max,
}: FieldFrame & {
  value: number | null;
  onChange: (value: number | null) => void;
  min?: number;
  max?: number;
}) {
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} problem={problem}>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={value ?? ''}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, hint, problem)}
        onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
      />
    </Frame>
  );
}

export interface Option<V extends string> {
  readonly value: V;
  readonly label: string;
}

export function SelectField<V extends string>({
  label,
  hint,
  problem,
  value,
  onChange,
  options,
  disabled,
}: FieldFrame & {
  value: V;
  onChange: (value: V) => void;
  options: readonly Option<V>[];
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} problem={problem}>
      <select
        id={id}
        value={value}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, hint, problem)}
        onChange={(event) => onChange(event.target.value as V)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}

export function CheckboxField({
  label,
  hint,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A value shown on a form but changed elsewhere (a status, a link to the owner). */
export function ReadOnlyField({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  // A named group, so that assistive technology reads the label with the value (and links) it holds.
  return (
    <div className="field field-readonly" role="group" aria-labelledby={id}>
      <span className="field-label" id={id}>
        {label}
      </span>
      <div className="field-value">{children}</div>
    </div>
  );
}

/** A titled group of fields, like the sections of a form in the reference system. */
export function FormSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="form-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="form-grid">{children}</div>
    </section>
  );
}

/** The API's message for one field of a refused save. */
export function problemFor(
  problems: readonly { field: string; message: string }[],
  field: string,
): string | undefined {
  return problems.find((problem) => problem.field === field)?.message;
}
