/** The three number columns' headers every publish table shows: listings in force, added, removed. */
export function ChangeCountHeaders({ inForce = 'In force' }: { inForce?: string }) {
  return (
    <>
      <th scope="col" className="number">
        {inForce}
      </th>
      <th scope="col" className="number">
        Added
      </th>
      <th scope="col" className="number">
        Removed
      </th>
    </>
  );
}
