import type { FastifyReply } from 'fastify';
import type { AnswerKind, CoreAnswer } from '../core/core-answer.ts';

type Writer<K extends AnswerKind> = (reply: FastifyReply, answer: Extract<CoreAnswer, { kind: K }>) => FastifyReply;

/** How each kind of answer goes on the wire (status and headers are set before). */
const WRITERS: { [K in AnswerKind]: Writer<K> } = {
  // Serialised by fastify: with the route's response schema for this status when it has one.
  json: (reply, answer) => reply.send(answer.body),
  html: (reply, answer) => reply.type('text/html; charset=utf-8').send(answer.html),
  redirect: (reply, answer) => reply.header('location', answer.location).send(),
  text: (reply, answer) => reply.type(answer.contentType).send(answer.text),
  empty: (reply) => reply.send(),
};

/** Write a core answer to a fastify reply. */
export function writeAnswer(reply: FastifyReply, answer: CoreAnswer): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  return (WRITERS[answer.kind] as Writer<AnswerKind>)(reply, answer);
}
