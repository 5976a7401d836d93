import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from "typeorm";
import { Photo } from "./photo";

@Entity()
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;

  @OneToMany(() => Photo, (photo) => photo.user, { lazy: true })
  photos!: Promise<Photo[]>;

  @OneToMany(() => Photo, (photo) => photo.owner)
  ownedPhotos!: Photo[];
}
