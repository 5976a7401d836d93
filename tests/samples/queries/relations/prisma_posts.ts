import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();

export async function authorNames(): Promise<string[]> {
  const posts = await prisma.post.findMany({ where: { published: true }, take: 50 });
  const names: string[] = [];
  for (const p of posts) {
    const author = await prisma.post.findUnique({ where: { id: p.id } }).author();
    names.push(author?.name ?? "");
  }
  return names;
}

export async function includedAuthorNames(): Promise<string[]> {
  const posts = await prisma.post.findMany({ include: { author: true }, take: 50 });
  const names: string[] = [];
  for (const p of posts) {
    names.push(p.author.name);
  }
  return names;
}
