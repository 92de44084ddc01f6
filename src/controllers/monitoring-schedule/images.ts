/**
 * The account of the ECR registry that serves SageMaker's built-in Model Monitor analyzer
 * (`sagemaker-model-monitor-analyzer`) per region, the image suggest_baseline and the built-in
 * DataQuality and ModelQuality monitors run. Only regions whose account is documented in
 * the project's reference (sagemaker-api.md §4.6) are listed; elsewhere the spec names the image.
 */
const ANALYZER_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '156813124566',
  'us-west-2': '159807026194',
  'eu-west-1': '468650794304',
};

export const ANALYZER_REGIONS = Object.keys(ANALYZER_ACCOUNTS);

/** The analyzer image of a region, or undefined where the operator does not know it. */
export function analyzerImage(region: string): string | undefined {
  const account = ANALYZER_ACCOUNTS[region];
  return account && `${account}.dkr.ecr.${region}.amazonaws.com/sagemaker-model-monitor-analyzer`;
}
