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
  column "weight" {
    null = true
    type = numeric(10,2)
  }
  column "customer_id" {
    null = false
    type = bigint
  }
  column "code" {
    null = false
    type = varchar(64)
  }
  column "status" {
    null = false
    type = varchar(32)
  }
  column "note" {
    null = true
    type = text
  }
  column "channel" {
    null    = false
    type    = varchar(16)
    default = "web"
  }
  column "public_id" {
    null    = false
    type    = uuid
    default = sql("gen_random_uuid()")
  }
  primary_key {
    columns = [column.id]
  }
  index "orders_status_idx" {
    columns = [column.status]
  }
  foreign_key "orders_customer_fk" {
    columns     = [column.customer_id]
    ref_columns = [table.customers.column.id]
  }
  check "orders_total_positive" {
    expr = "total >= 0"
  }
}

table "customers" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
}

table "invoices" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
  column "number" {
    null = false
    type = varchar(32)
  }
  index "invoices_number_idx" {
    unique  = true
    columns = [column.number]
  }
}
