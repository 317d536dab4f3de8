// Harness stand-in for lightning/pageReferenceUtils, in the platform's encoding:
// "Phone=%2B14155551212,LastName=Doe".
export function encodeDefaultFieldValues(values) {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join(',');
}

export function decodeDefaultFieldValues(encoded) {
  const values = {};
  for (const pair of String(encoded).split(',')) {
    const index = pair.indexOf('=');
    if (index > 0) values[pair.slice(0, index)] = decodeURIComponent(pair.slice(index + 1));
  }
  return values;
}
