/** A section that a later version fills: its title and, in one line, what it will hold. */
export function PlannedView({ title, summary }: { title: string; summary: string }) {
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">{title}</h1>
      <p>{summary}</p>
      <p className="muted">This view arrives in a later version of RepDesk.</p>
    </section>
  );
}
