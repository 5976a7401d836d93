schema "public" {}

table "orders" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
  column "total" {
    null = false
    type = integer
  }
  column "legacy_ref" {
    null = true
    type = varchar(64)
  }
  column "weight" {
    null = true
    type = integer
  }
  column "customer_id" {
    null = true
    type = bigint
  }
  column "code" {
    null = false
    type = varchar(32)
  }
  primary_key {
    columns = [column.id]
  }
  index "orders_old_idx" {
    columns = [column.code]
  }
}

table "legacy_orders" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
}

table "customers" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
}
