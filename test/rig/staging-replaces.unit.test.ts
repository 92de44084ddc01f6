import { describe, expect, it } from '@jest/globals';
import { stagingReplaces } from './binaries.js';

describe('stagingReplaces', () => {
  it('pins every v0.0.0 staging module of k8s.io/kubernetes to the matching v0.X.Y tag', () => {
    const goMod = [
      'require (',
      '\tgithub.com/spf13/cobra v1.9.1',
      '\tk8s.io/api v0.0.0',
      '\tk8s.io/apiextensions-apiserver v0.0.0',
      '\tk8s.io/kube-openapi v0.0.0-20250710124328-f3f2b991d03b',
      '\tk8s.io/externaljwt v0.0.0',
      ')',
    ].join('\n');
    expect(stagingReplaces(goMod, '1.34.4')).toEqual([
      '\tk8s.io/api => k8s.io/api v0.34.4',
      '\tk8s.io/apiextensions-apiserver => k8s.io/apiextensions-apiserver v0.34.4',
      '\tk8s.io/externaljwt => k8s.io/externaljwt v0.34.4',
    ]);
  });
});
