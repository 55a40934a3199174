/**
 * The choropleth beside the countries table: each country shaded by the IPv4 addresses its ISPs'
 * active DUL ranges cover (five steps on a logarithmic scale, coloured by CSS classes so both
 * themes apply). react-simple-maps draws the world-atlas 110m map, fetched from this app's own
 * assets when the panel opens (no remote load). Every country's figures are in its tooltip; the
 * table beside it is the accessible form of the same numbers and holds the links.
 */
import { ComposableMap, Geographies, Geography } from 'react-simple-maps';
import atlasUrl from 'world-atlas/countries-110m.json?url';
import type { DashboardCountry } from '../../../../shared/dashboard.js';
import { groupDigits } from '../../../../shared/dashboard.js';
import { NUMERIC_BY_ALPHA2 } from './country-codes.js';
import './dashboard.css';

const STEPS = 5;

/** The shade step (1..STEPS) of each country with listed space, by numeric code. */
export function shadeSteps(countries: readonly DashboardCountry[]): Map<string, { step: number; country: DashboardCountry }> {
  const weights = countries
    .filter((country) => country.country !== null && NUMERIC_BY_ALPHA2[country.country] !== undefined)
    .map((country) => ({ country, weight: Math.log10(Number(country.ipv4Addresses) + Number(country.ipv6Slash64s) + 1) }));
  const highest = Math.max(0, ...weights.map((entry) => entry.weight));
  const steps = new Map<string, { step: number; country: DashboardCountry }>();
  for (const { country, weight } of weights) {
    const step = highest === 0 ? 1 : Math.max(1, Math.ceil((weight / highest) * STEPS));
    steps.set(NUMERIC_BY_ALPHA2[country.country as string], { step, country });
  }
  return steps;
}

export function CountryMap({ countries }: { countries: readonly DashboardCountry[] }) {
  const steps = shadeSteps(countries);
  return (
    <figure className="country-map" aria-label="Listed DUL space by country (map)">
      <ComposableMap projection="geoEqualEarth" width={800} height={400} projectionConfig={{ scale: 150 }}>
        <Geographies geography={atlasUrl}>
          {({ geographies }) =>
            geographies.map((geography) => {
              const code = typeof geography.id === 'string' ? geography.id : String(geography.id ?? '');
              const shade = steps.get(code);
              const name = String((geography.properties as { name?: string } | null)?.name ?? code);
              return (
                <Geography key={geography.rsmKey} geography={geography} className={`choropleth-${shade?.step ?? 0}`} data-country={shade?.country.country ?? undefined}>
                  <title>
                    {shade
                      ? `${name}: ${groupDigits(shade.country.ipv4Addresses)} IPv4 addresses, ${groupDigits(shade.country.ipv6Slash64s)} IPv6 /64s in ${shade.country.entries} DUL ranges`
                      : `${name}: nothing listed`}
                  </title>
                </Geography>
              );
            })
          }
        </Geographies>
      </ComposableMap>
    </figure>
  );
}
