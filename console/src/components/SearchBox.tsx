import { useEffect, useId, useState } from 'react';

/** A search field that tells its page what to look for once typing pauses. */
export function SearchBox({ label, onSearch }: { label: string; onSearch: (text: string) => void }) {
  const id = useId();
  const [text, setText] = useState('');
  useEffect(() => {
    const timer = window.setTimeout(() => onSearch(text), 300);
    return () => window.clearTimeout(timer);
  }, [text, onSearch]);
  return (
    <div className="search-box">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        id={id}
        type="search"
        placeholder={label}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </div>
  );
}
