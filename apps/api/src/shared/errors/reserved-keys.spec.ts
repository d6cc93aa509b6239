import { findReservedKeys } from './reserved-keys';

describe('findReservedKeys', () => {
  it('names reserved keys at any depth with validation-style paths', () => {
    const body = JSON.parse('{"a":1,"__proto__":{"x":1},"applicant":{"toString":"x","ok":2},"items":[{"constructor":1},{"b":2}],"prototype":null}');
    expect(findReservedKeys(body).sort()).toEqual(['__proto__', 'applicant.toString', 'items[0].constructor', 'prototype'].sort());
    expect(findReservedKeys({ hasOwnProperty: 1 }, 'q')).toEqual(['q.hasOwnProperty']);
  });

  it('finds nothing in ordinary bodies, primitives and array indexes', () => {
    expect(findReservedKeys({ code: 'A', name: 'constructor', tags: ['toString'] })).toEqual([]);
    expect(findReservedKeys([1, 2, 3])).toEqual([]);
    expect(findReservedKeys('text')).toEqual([]);
    expect(findReservedKeys(null)).toEqual([]);
  });

  it('walks deep bodies without recursion', () => {
    let deep: unknown = { valueOf: 1 };
    for (let i = 0; i < 20; i++) deep = { n: deep };
    expect(findReservedKeys(deep)).toEqual([`${'n.'.repeat(20)}valueOf`]);
  });
});
