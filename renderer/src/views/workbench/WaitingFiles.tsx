/**
 * Files the desktop shell handed to the Listings screen (chosen in File > Import… or dropped on
 * the window): a listings file goes straight to Import listings; spam samples wait, visibly, for
 * the record they belong to (its Spam samples tab imports them when it opens).
 */
import { useEffect } from 'react';
import { useWaitingFiles } from '../../desktop.js';
import { navigate } from '../../routes.js';

export function WaitingFiles() {
  const listings = useWaitingFiles('listings');
  const samples = useWaitingFiles('samples');
  useEffect(() => {
    if (listings) navigate('import-listings');
  }, [listings]);
  if (!samples) return null;
  return (
    <p className="waiting-files" role="status">
      {samples.length === 1 ? 'A spam sample is' : `${samples.length} spam samples are`} waiting ({samples.map((sample) => sample.name).join(', ')}): open the record they belong to, and its Spam samples tab imports
      them.
    </p>
  );
}
