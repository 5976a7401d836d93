import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from "typeorm";

export class AddOrderStatus1732100000000 implements MigrationInterface {
    name = "AddOrderStatus1732100000000";

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "orders" ADD "status" character varying NOT NULL`);
        await queryRunner.query(`CREATE INDEX "IDX_orders_status" ON "orders" ("status") `);
        await queryRunner.addColumn("orders", new TableColumn({ name: "channel", type: "varchar" }));
        await queryRunner.addColumn("orders", new TableColumn({ name: "note", type: "text", isNullable: true }));
        await queryRunner.dropColumn("orders", "legacy_ref");
        await queryRunner.renameColumn("orders", "total", "total_cents");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_orders_status"`);
        await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "status"`);
        await queryRunner.dropTable("orders");
    }
}
