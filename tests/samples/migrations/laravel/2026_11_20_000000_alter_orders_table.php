<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        Schema::table('orders', function (Blueprint $table) {
            $table->string('status');
            $table->string('note')->nullable();
            $table->dropColumn('legacy_ref');
            $table->renameColumn('total', 'total_cents');
            $table->decimal('weight', 10, 2)->change();
            $table->unique('reference');
            $table->index('placed_at');
            $table->foreignId('customer_id')->nullable()->constrained();
        });

        Schema::create('invoices', function (Blueprint $table) {
            $table->id();
            $table->string('number')->unique();
            $table->foreignId('order_id')->constrained();
        });

        Schema::rename('order_items', 'order_lines');
        Schema::dropIfExists('legacy_orders');
        DB::statement('ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0)');
    }

    public function down(): void
    {
        Schema::table('orders', function (Blueprint $table) {
            $table->dropColumn('status');
            $table->string('legacy_ref');
        });
        Schema::dropIfExists('invoices');
    }
};
