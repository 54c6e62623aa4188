// Masking national identity numbers for display.
import { maskNationalId, type NationalIdType } from '../../../lambdas/domain/ids/index.js';

describe('maskNationalId', () => {
  it.each<[string, NationalIdType, string]>([
    ['198112189876', 'personnummer', '19811218-****'],
    ['197010632391', 'samordningsnummer', '19701063-****'],
    ['181281-308T', 'hetu', '181281-****'],
    ['010594Y302N', 'hetu', '010594Y****'],
    ['18128150160', 'fodselsnummer', '181281*****'],
    ['41018036736', 'd-nummer', '410180*****'],
  ])('keeps only the date part of %s (%s)', (canonical, type, masked) => {
    // Prepare
    const expected = masked;

    // Act
    const result = maskNationalId(canonical, type);

    // Assess
    expect(result).toBe(expected);
  });

  it.each<[string, NationalIdType]>([
    ['5560160680', 'organisationsnummer'],
    ['0737546-2', 'y-tunnus'],
    ['974760673', 'organisasjonsnummer'],
  ])('shows the public organisation number %s in full', (canonical, type) => {
    // Prepare
    const expected = canonical;

    // Act
    const result = maskNationalId(canonical, type);

    // Assess
    expect(result).toBe(expected);
  });

  it('masks everything when a personal canonical form has an unexpected length', () => {
    // Prepare
    const notCanonical = '8112189876';

    // Act
    const result = maskNationalId(notCanonical, 'personnummer');

    // Assess
    expect(result).toBe('**********');
  });
});
