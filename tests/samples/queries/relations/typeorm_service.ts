import { Repository } from "typeorm";
import { User } from "./user";

export async function photoCounts(repo: Repository<User>): Promise<number[]> {
  const users = await repo.find({ take: 50 });
  const counts: number[] = [];
  for (const user of users) {
    const photos = await user.photos;
    counts.push(photos.length);
  }
  return counts;
}

export async function ownedCounts(repo: Repository<User>): Promise<number[]> {
  const users = await repo.find({ relations: ["ownedPhotos"], take: 50 });
  const counts: number[] = [];
  for (const user of users) {
    counts.push(user.ownedPhotos.length);
    await user.reload;
  }
  return counts;
}
