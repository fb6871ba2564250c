/**
 * /api/v1/monitors: monitors of deployments, evaluations (202: the report is written as it runs),
 * reports and alert deliveries.
 */
import {
  AlertPage,
  CreateMonitorBody,
  ListMonitorsQuery,
  MonitorPage,
  MonitorParams,
  MonitorSchema,
  PageQuery,
  ReportPage,
  ReportParams,
  ReportSchema,
  ReportSummarySchema,
  UpdateMonitorBody,
} from '../../monitoring/monitors/schema.js';
import type { Platform } from '../../platform.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['monitors'];

export function monitorRoutes(app: ZodApp, platform: Platform): void {
  const { monitors } = platform.monitoring;

  app.post(
    '/api/v1/monitors',
    {
      schema: {
        tags,
        summary: 'Create a monitor of a deployment',
        body: CreateMonitorBody,
        response: { 201: MonitorSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return monitors.create(contextOf(request), request.body);
    },
  );

  app.get(
    '/api/v1/monitors',
    {
      schema: {
        tags,
        summary: 'List monitors, newest first',
        querystring: ListMonitorsQuery,
        response: { 200: MonitorPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.list(request.query),
  );

  app.get(
    '/api/v1/monitors/:name',
    {
      schema: {
        tags,
        summary: 'A monitor',
        params: MonitorParams,
        response: { 200: MonitorSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.get(request.params.name),
  );

  app.patch(
    '/api/v1/monitors/:name',
    {
      schema: {
        tags,
        summary: 'Change a monitor (null removes reference, schedule, onDrift, webhook)',
        params: MonitorParams,
        body: UpdateMonitorBody,
        response: { 200: MonitorSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.update(contextOf(request), request.params.name, request.body),
  );

  app.delete(
    '/api/v1/monitors/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Delete a monitor with its reports and alerts',
        params: MonitorParams,
        response: { 200: MonitorSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.delete(contextOf(request), request.params.name),
  );

  app.post(
    '/api/v1/monitors/:name/evaluate',
    {
      schema: {
        tags,
        summary: 'Evaluate now: answers the running report; GET its links.self until it finishes',
        params: MonitorParams,
        response: { 202: ReportSummarySchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return monitors.evaluate(contextOf(request), request.params.name);
    },
  );

  app.get(
    '/api/v1/monitors/:name/reports',
    {
      schema: {
        tags,
        summary: 'Reports of a monitor, newest first (summaries)',
        params: MonitorParams,
        querystring: PageQuery,
        response: { 200: ReportPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.reports(request.params.name, request.query),
  );

  app.get(
    '/api/v1/monitors/:name/reports/:report',
    {
      schema: {
        tags,
        summary: 'One report with its features, predictions and data quality (report id, or latest)',
        params: ReportParams,
        response: { 200: ReportSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.report(request.params.name, request.params.report),
  );

  app.get(
    '/api/v1/monitors/:name/alerts',
    {
      schema: {
        tags,
        summary: 'Alert deliveries (webhook calls, on-drift pipeline runs), newest first',
        params: MonitorParams,
        querystring: PageQuery,
        response: { 200: AlertPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitors.alerts(request.params.name, request.query),
  );
}
