/**
 * The Ségur statistics (SC.STAT/ES.02, TBB/va1.01): indicators per FINESS géographique × document type × month.
 * Every indicator is defined in docs/statistics.md; the names below are the CSV column names.
 */
import type { DeliveryOutcomeCount, InboundDocumentCount, InboundTransmissionCount } from '../store/index.js';

export const indicators = [
  'dmp_flux_succes',
  'dmp_flux_echec',
  'dmp_historique_succes',
  'dmp_historique_echec',
  'mss_ps_succes',
  'mss_ps_echec',
  'mss_ps_ins_qualifie_succes',
  'mss_ps_ins_qualifie_echec',
  'mss_ps_remplacements',
  'mss_ps_suppressions',
  'mss_patient_succes',
  'mss_patient_echec',
  'recus_dpi_succes',
  'recus_dpi_echec',
  'recus_demandes_remplacement',
  'recus_demandes_suppression',
] as const;
export type Indicator = (typeof indicators)[number];

/** One contribution of a grouped count to the indicators. */
export interface IndicatorCount {
  finessGeo: string | null;
  /** Inbound documents: the application mailbox that received them (they carry no FINESS géographique). */
  mailbox?: string;
  typeCode: string;
  month: string;
  indicator: Indicator;
  count: number;
}

/** Which indicators one grouped delivery outcome adds to (several for MSS professional: total, qualified INS, action). */
export function outcomeIndicators(c: DeliveryOutcomeCount): Indicator[] {
  const ok = c.outcome === 'done';
  switch (c.kind) {
    case 'dmp':
      if (c.age === 'flow') return [ok ? 'dmp_flux_succes' : 'dmp_flux_echec'];
      if (c.age === 'historical') return [ok ? 'dmp_historique_succes' : 'dmp_historique_echec'];
      return []; // older than HISTORICAL_MAX_YEARS, or no readable date: outside both DMP indicators
    case 'mss_ps': {
      const out: Indicator[] = [ok ? 'mss_ps_succes' : 'mss_ps_echec'];
      if (c.insQualified) out.push(ok ? 'mss_ps_ins_qualifie_succes' : 'mss_ps_ins_qualifie_echec');
      if (ok && c.action === 'replace') out.push('mss_ps_remplacements');
      if (ok && c.action === 'delete') out.push('mss_ps_suppressions');
      return out;
    }
    case 'mss_patient':
      return [ok ? 'mss_patient_succes' : 'mss_patient_echec'];
    case 'dpi':
      // Volet B documents reach the DPI through inbound_mail and the notification outbox (transmissionCounts, requestCounts).
      return [];
  }
}

export function outcomeCounts(rows: readonly DeliveryOutcomeCount[]): IndicatorCount[] {
  return rows.flatMap((r) => outcomeIndicators(r).map((indicator) => ({
    finessGeo: r.finessGeo, typeCode: r.typeCode, month: r.month, indicator, count: r.count,
  })));
}

/** MDMs acknowledged by the DPI (success) or refused / given up (failure). */
export function transmissionCounts(rows: readonly InboundTransmissionCount[]): IndicatorCount[] {
  return rows.map((r) => ({
    finessGeo: null, mailbox: r.mailbox, typeCode: r.typeCode, month: r.month,
    indicator: r.outcome === 'done' ? 'recus_dpi_succes' : 'recus_dpi_echec', count: r.count,
  }));
}

/** Replacement and deletion requests among the documents received. */
export function requestCounts(rows: readonly InboundDocumentCount[]): IndicatorCount[] {
  return rows.flatMap((r) => {
    const indicator: Indicator | undefined = r.action === 'replace' ? 'recus_demandes_remplacement'
      : r.action === 'delete' ? 'recus_demandes_suppression' : undefined;
    return indicator ? [{ finessGeo: null, mailbox: r.mailbox, typeCode: r.typeCode, month: r.month, indicator, count: r.count }] : [];
  });
}
