/**
 * The account of the ECR registry that serves SageMaker's built-in Model Monitor analyzer
 * (`sagemaker-model-monitor-analyzer`) in every region Model Monitor publishes it in, the image
 * suggest_baseline and the built-in DataQuality and ModelQuality monitors run. The facts are the
 * SageMaker Python SDK's image URI configuration for `model-monitor`; elsewhere the spec names the
 * image. docs/monitoring.md lists it (a unit test keeps the two in step).
 */
export const ANALYZER_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-northeast-3': '990339680094',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ap-southeast-3': '669540362728',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
  'eu-central-1': '048819808253',
  'eu-central-2': '590183933784',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-south-2': '437450045455',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'il-central-1': '843974653677',
  'me-central-1': '588750061953',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-isof-east-1': '853188333426',
  'us-isof-south-1': '467912361380',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};

/** The DNS suffix of a region's ECR registries: its partition's, where that is not aws's. */
function registryDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  return 'amazonaws.com';
}

/** The analyzer image of a region, or undefined where Model Monitor does not publish one. */
export function analyzerImage(region: string): string | undefined {
  const account = ANALYZER_ACCOUNTS[region];
  return account && `${account}.dkr.ecr.${region}.${registryDomain(region)}/sagemaker-model-monitor-analyzer`;
}
