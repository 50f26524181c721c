export { indicators, outcomeIndicators } from './indicators.js';
export type { Indicator, IndicatorCount } from './indicators.js';
export {
  collectStatisticCounts, buildStatisticsRows, isStatisticsYear, monthsOf, OTHER_TYPE,
} from './statistics.js';
export type {
  StatisticCounts, CollectOptions, LayoutOptions, StatisticsDocumentType, StatisticsRow,
} from './statistics.js';
export { statisticsCsv, csvField, STATISTICS_CSV_COLUMNS } from './statistics-csv.js';
