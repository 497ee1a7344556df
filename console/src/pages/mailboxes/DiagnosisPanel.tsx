/**
 * The result of "Diagnose": every Test & Enable precondition checked without
 * connecting or changing anything, per channel, with the cause in words.
 */
import type { DiagnosisReport } from '../../api/types';
import { LevelIcon } from '../../components/Badges';
import { CHANNEL } from '../../labels';

export function DiagnosisPanel({ report }: { report: DiagnosisReport }) {
  return (
    <section className="form-section diagnosis-panel" aria-labelledby="diagnosis-title">
      <h2 id="diagnosis-title">Diagnosis</h2>
      <p role="status">
        {report.ok ? 'No problems found: Test & Enable should succeed.' : 'Problems found:'}
      </p>
      <ul className="diagnosis-channels">
        {report.channels
          .filter((channel) => channel.applicable)
          .map((channel) => (
            <li key={channel.channel}>
              <strong>{CHANNEL[channel.channel]}:</strong>{' '}
              {channel.problems.length === 0 ? (
                'ready'
              ) : (
                <ul>
                  {channel.problems.map((problem) => (
                    <li key={problem.code}>
                      <LevelIcon level={problem.level} /> <code>{problem.code}</code> —{' '}
                      {problem.diagnosis.summary}. {problem.diagnosis.fix}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
      </ul>
    </section>
  );
}
