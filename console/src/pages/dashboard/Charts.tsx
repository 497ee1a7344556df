/** The dashboard's charts, one component each. */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartCard } from './ChartCard';
import type { DashboardData } from './dashboardData';

const COLORS = { success: '#1e7d32', failure: '#c62828', notRun: '#8a8f98' };
const PALETTE = ['#0f62fe', '#c62828', '#f1a208', '#6929c4', '#007d79', '#8a8f98'];
const HEIGHT = 240;

export function MailboxStatusChart({ data }: { data: DashboardData }) {
  return (
    <ChartCard
      title="Mailboxes by status"
      columns={['Channel', 'Success', 'Failure', 'Not Run']}
      rows={data.statuses.map((s) => [s.channel, s.Success, s.Failure, s['Not Run']])}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data.statuses}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="channel" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="Success" stackId="s" fill={COLORS.success} isAnimationActive={false} />
          <Bar dataKey="Failure" stackId="s" fill={COLORS.failure} isAnimationActive={false} />
          <Bar dataKey="Not Run" stackId="s" fill={COLORS.notRun} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function AlertsOverTimeChart({ data }: { data: DashboardData }) {
  return (
    <ChartCard
      title="New alerts per day, by code (last 14 days)"
      columns={['Day', ...data.alertCodes]}
      rows={data.alertsByDay.map((row) => [
        String(row.day),
        ...data.alertCodes.map((code) => Number(row[code] ?? 0)),
      ])}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data.alertsByDay}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {data.alertCodes.map((code, index) => (
            <Bar
              key={code}
              dataKey={code}
              stackId="a"
              fill={PALETTE[index % PALETTE.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function IncomingThroughputChart({ data }: { data: DashboardData }) {
  return (
    <ChartCard
      title="Incoming email per hour (last 24 hours)"
      columns={['Hour', 'Emails']}
      rows={data.incomingPerHour.map((r) => [r.hour, r.emails])}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <AreaChart data={data.incomingPerHour}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="hour" interval={3} />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Area
            type="monotone"
            dataKey="emails"
            stroke="#0f62fe"
            fill="#0f62fe33"
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function CycleChart({ data }: { data: DashboardData }) {
  return (
    <ChartCard
      title="Last incoming cycle per mailbox (duration, ms)"
      columns={['Mailbox', 'Duration (ms)', 'Emails created']}
      rows={data.cycles.map((c) => [c.mailbox, c.durationMs, c.created])}
    >
      {data.cycles.length === 0 ? (
        <p className="muted chart-empty">No incoming cycle has run yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={data.cycles} layout="vertical" margin={{ left: 24 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" />
            <YAxis type="category" dataKey="mailbox" width={110} />
            <Tooltip />
            <Bar dataKey="durationMs" name="Duration (ms)" fill="#007d79" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}

export function OutgoingQueueChart({ data }: { data: DashboardData }) {
  return (
    <ChartCard
      title="Outgoing email by status"
      columns={['Status', 'Emails']}
      rows={data.outgoing.map((r) => [r.status, r.emails])}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data.outgoing}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="status" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="emails" name="Emails" fill="#6929c4" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
