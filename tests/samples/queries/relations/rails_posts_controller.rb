class PostsController < ApplicationController
  def index
    @posts = Post.where(published: true).order(created_at: :desc).limit(50)
    @rows = @posts.map do |post|
      { title: post.title, author: post.author.name, comments: post.comments.size }
    end
    render json: @rows
  end

  def feed
    posts = Post.includes(:author, :comments).where(published: true).limit(50)
    rows = posts.map do |post|
      { title: post.title, author: post.author.name, comments: post.comments.size }
    end
    render json: rows
  end

  def authors
    Post.preload(:author).limit(20).each { |post| logger.info(post.author.name) }
    head :ok
  end
end
